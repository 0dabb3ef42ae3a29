export { ExactDecimal, exact } from './exact';
export type { Prices, PriceTier, PriceSheet } from './price-sheet';
export { promptSize } from './prompt-size';
export { selectTier } from './select-tier';
export { unitPrice, type UnitPrice } from './unit-price';
export { providerCost, IncompletePriceSheetError, type ProviderCost, type DimensionCost } from './provider-cost';
export { providerCostTotal } from './provider-cost-total';
