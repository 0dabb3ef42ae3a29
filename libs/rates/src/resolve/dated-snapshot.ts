// OpenAI-style `-2024-08-06` and Anthropic-style `-20250929` date suffixes.
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|20\d{6})$/;

/** The undated name of a dated snapshot id (`gpt-4o-2024-08-06` -> `gpt-4o`), or null if it carries no date. */
export function undatedModel(model: string): string | null {
  const stripped = model.replace(DATE_SUFFIX, '');
  return stripped === model || stripped === '' ? null : stripped;
}
