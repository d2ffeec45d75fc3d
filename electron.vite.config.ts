import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const shared = fileURLToPath(new URL('./src-shared', import.meta.url))
const alias = { '@shared': shared }

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // One bundle per way of running the same services: the desktop app, browser mode and the command line.
        input: {
          index: 'src-main/index.ts',
          web: 'src-main/web.ts',
          cli: 'src-main/cli/index.ts',
          // The job worker thread (training, evaluation, t-SNE, Grad-CAM, lung masks, imports), started by
          // services/workers/host.ts from the bundle's folder.
          jobWorker: 'src-main/services/workers/jobWorker.ts',
          // The decoding child of `cxr fuzz`, started by cli/fuzz/decodeChild.ts from the bundle's folder.
          fuzzChild: 'src-main/cli/fuzz/fuzzChild.ts',
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require 'electron': everything else (the contract) is bundled in, as CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: 'src-main/preload.ts' },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    resolve: { alias },
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: 'src-renderer/index.html' } },
    },
  },
})
