import { ConfigError } from '@tollgate/config';
import { bundledSnapshot } from '../snapshot/bundled';
import { LIST_SOURCES, listSourcesOf, RATE_SOURCES } from './registry';

describe('the rate source registry', () => {
  it('names every source once, overrides apart, and each has its bundled snapshot', () => {
    expect(LIST_SOURCES).toEqual(['openrouter', 'bedrock', 'litellm']);
    expect(RATE_SOURCES).toEqual(['override', ...LIST_SOURCES]);
    expect(bundledSnapshot().map((file) => file.source)).toEqual(LIST_SOURCES);
  });

  it('checks RATE_SOURCES against it, naming the variable', () => {
    expect(listSourcesOf({ rateSources: ['litellm', 'openrouter'] })).toEqual(['litellm', 'openrouter']);
    expect(listSourcesOf({})).toEqual(LIST_SOURCES);
    expect(() => listSourcesOf({ rateSources: ['openrouter', 'azure'] })).toThrow(
      new ConfigError('RATE_SOURCES: unknown azure (known: openrouter, bedrock, litellm)'),
    );
  });
});
