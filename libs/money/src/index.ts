export { Decimal, ZERO, ONE, divideRoundingUp } from './decimal';
export { isDecimalString, parseDecimal, writtenDecimalPlaces } from './parse-decimal';
export { CURRENCIES, isCurrency, currencyExponent } from './currency';
export { type RoundingStrategy, halfAwayFromZero, halfEven, down, roundToMinorUnit } from './rounding';
export { formatAmount, formatExact } from './format';
