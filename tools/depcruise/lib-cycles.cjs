// Cycles between libs. dependency-cruiser's folder scope sees `libs/<x>/src` as one node holding every file of
// lib x, so a cycle between those nodes is a cycle between libs. Test code is left out: a lib's tests use
// libs/testing, whose api harness starts the api, which uses the lib (a test-only loop, like a dev dependency).
// Apps are left out too: a lib that imports an app is already `libs-not-to-apps`.
const base = require('../../.dependency-cruiser.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular-libs',
      comment: 'Libs form a hierarchy: no lib depends on itself through other libs.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^libs/([^/]+)/src(/|$)' },
      to: { path: '^libs/(?!$1/)[^/]+/src(/|$)', circular: true },
    },
  ],
  options: {
    ...base.options,
    exclude: {
      path: [base.options.exclude.path, '\\.(spec|test)\\.ts$', '^libs/testing/', '^libs/[^/]+/test/', '^(apps|bench|jest|tools)/'],
    },
  },
};
