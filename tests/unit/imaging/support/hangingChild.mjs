// A fuzz child that starts and then never answers: `cxr fuzz` must count a hang and kill it.
process.on('message', () => {})
process.send({ ready: true })
