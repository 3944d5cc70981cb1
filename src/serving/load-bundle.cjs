'use strict';
// Runs a function bundle (build/functions/<name>.cjs) as CommonJS, with V8's code cache kept next
// to it: a cold start then skips compiling the bundle's ~3 MB, about a fifth of it. Node 22's
// module.enableCompileCache() does the same; Node 20, which the image runs, has nothing built in.
// Plain JavaScript: it runs before, and without, any TypeScript loader.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/** Writing the cache waits this long, so that it holds the functions compiled while starting. */
const CACHE_AFTER_MS = 1000;

function loadBundle(bundle) {
  const file = path.resolve(bundle);
  const source = fs.readFileSync(file, 'utf8');
  // V8 checks a cache against the source's length only: the name holds a hash of its content.
  const cacheFile = `${file}.${crypto.createHash('sha1').update(source).digest('hex').slice(0, 16)}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet: this start makes it
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(module.exports, module.exports, (id) => module.require(id), module, file, path.dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) {
    setTimeout(() => {
      // Through a temporary file: instances starting together must never read a half-written cache.
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, cacheFile);
      } catch {
        // a read-only image: every start compiles, as without the cache
      }
    }, CACHE_AFTER_MS).unref();
  }
}

module.exports = loadBundle;
if (require.main === module) loadBundle(process.argv[2]);
