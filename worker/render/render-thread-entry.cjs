// What piscina loads in a render thread. It require()s its task file, and on Node 20 and 22 a
// require() of an ES module aborts the whole process ("v8::Module::IsGraphAsync must be used on
// an instantiated module") when the thread is terminated while the module graph is being linked,
// as a CLI that refuses its input right after starting the thread does. This CommonJS file loads
// the render code with import() instead, which a termination simply stops.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

// dist/ holds the compiled task; the TypeScript source runs through tsx (its own entry registers it).
const target = existsSync(path.join(__dirname, 'render-thread.js')) ? './render-thread.js' : './render-thread-entry.mjs';
require('node:module').enableCompileCache?.(); // Node 22 and later: compiled once, kept between runs
let task;
module.exports = async function renderThreadTask(t) {
  task ??= (await import(target)).default;
  return task(t);
};
