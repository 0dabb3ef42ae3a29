// Runs the TypeScript sources directly (`node -r ./tools/ts-register.js apps/worker/src/main.ts`), compiled
// by swc with decorator metadata (which Nest's dependency injection needs) and the @tollgate/* path aliases.
// Tests use it to run the worker as a real child process they can kill -9, without a build step.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const alias = /^@tollgate\/([a-z]+)(\/.*)?$/.exec(request);
  if (alias && fs.existsSync(path.join(root, 'libs', alias[1], 'src'))) {
    request = path.join(root, 'libs', alias[1], 'src', alias[2] ?? '');
  }
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
