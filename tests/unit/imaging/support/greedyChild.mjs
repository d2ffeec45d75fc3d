// A fuzz child that keeps allocating native memory (outside the V8 heap, like wasm or sharp buffers) without
// answering: `cxr fuzz` must see its resident memory pass the limit and kill it.
const held = []
process.on('message', () => {
  const grow = () => {
    held.push(Buffer.alloc(32 * 2 ** 20, 1))
    setTimeout(grow, 5)
  }
  grow()
})
process.send({ ready: true })
