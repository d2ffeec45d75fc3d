import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

/** The app's sections, in navigation order; `ready` marks those that do something today. */
export const sections = [
  { path: '/start', name: 'start', label: 'First study', icon: '✓', ready: true, component: () => import('./views/StartView.vue') },
  { path: '/datasets', name: 'datasets', label: 'Datasets', icon: '▤', ready: true, component: () => import('./views/DatasetsView.vue') },
  { path: '/viewer', name: 'viewer', label: 'Viewer', icon: '◐', ready: true, component: () => import('./views/ViewerView.vue') },
  { path: '/runs', name: 'runs', label: 'Runs', icon: '▶', ready: true, component: () => import('./views/RunsView.vue') },
  { path: '/results', name: 'results', label: 'Results', icon: '▦', ready: true, component: () => import('./views/ResultsView.vue') },
  { path: '/try', name: 'try', label: 'Try an image', icon: '◎', ready: true, component: () => import('./views/TryImageView.vue') },
  { path: '/system', name: 'system', label: 'System', icon: '⚙', ready: true, component: () => import('./views/system/SystemView.vue') },
] as const

const routes: RouteRecordRaw[] = [
  // A new user starts on the first-study checklist: it says what to do first, and later what is done.
  { path: '/', redirect: '/start' },
  ...sections.map(({ path, name, component }) => ({ path, name, component })),
  { path: '/datasets/import', name: 'import', component: () => import('./views/datasets/ImportView.vue') },
  { path: '/datasets/compose', name: 'compose', component: () => import('./views/datasets/ComposeView.vue') },
  { path: '/:rest(.*)*', redirect: '/start' },
]

// Hash history works both from file:// (Electron) and from the loopback server (browser mode).
export const router = createRouter({ history: createWebHashHistory(), routes })
