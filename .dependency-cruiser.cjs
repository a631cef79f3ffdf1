// Mechanical boundaries (DESIGN.md "Dependencies point one way"):
//   services -> packages; packages never import services; core imports nothing but itself;
//   no package reaches into another's internals (only its package name / exports); no cycles.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles', from: {}, to: { circular: true } },
    {
      name: 'packages-not-to-services',
      severity: 'error',
      comment: 'dependencies point one way: services -> packages',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'packages/core has no I/O and no engine specifics: only its own files and node:test/assert (conformance)',
      from: { path: '^packages/core/src' },
      to: { pathNot: ['^packages/core/src', '^(node:)?(test|assert|assert/strict)$'] },
    },
    {
      name: 'engines-only-depend-on-core',
      severity: 'error',
      from: { path: '^packages/engine-[^/]+/src' },
      to: { path: '^(packages|services)/', pathNot: ['^packages/core/', '^packages/engine-'] },
    },
    {
      name: 'no-deep-imports',
      severity: 'error',
      comment: 'import another workspace package by its name, never its files',
      from: { path: '^(packages|services)/([^/]+)/' },
      to: { path: '^(packages|services)/([^/]+)/', pathNot: ['^$1/$2/'], dependencyTypes: ['local'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|build|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['deeprelax-src', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};
