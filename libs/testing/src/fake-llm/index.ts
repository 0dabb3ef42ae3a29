export { FakeLlm, startFakeLlm, type FakeLlmRequest, type InjectedFailure } from './server';
export { defaultUsage, type FakeProvider } from './usage';
export { encodeEventMessage, encodeBedrockEvent } from './eventstream';
