// A fuzz child that dies on its first input, as a decoder abort would: `cxr fuzz` must count a crash.
process.on('message', () => {
  process.stderr.write('simulated abort in the decoder\n')
  process.exit(134)
})
process.send({ ready: true })
