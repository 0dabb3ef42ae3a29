// libs/pricing's index does not (yet) re-export its cost module, and tsconfig maps no subpaths: one relative hop here.
export * from '../../pricing/src/cost';
export * from '../../pricing/src/dimensions';
