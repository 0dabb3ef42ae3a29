import { formValues, scenarioFromForm } from './simulation-form';

describe('the stress-test form', () => {
  it('turns filled fields into the API scenario, dates as the day’s start UTC, empty fields left out', () => {
    const form = formValues(
      new URLSearchParams({
        from: '2026-09-01',
        to: '2026-10-01',
        customers: 'acme, globex',
        markup: '0.5',
        discount: '',
        multiplier_model: 'gpt-4o',
        multiplier_factor: '2',
        usage_growth: '1.1',
      }),
    );
    expect(scenarioFromForm(form)).toEqual({
      ok: true,
      scenario: {
        from: '2026-09-01T00:00:00.000Z',
        to: '2026-10-01T00:00:00.000Z',
        external_customer_ids: ['acme', 'globex'],
        plan_changes: { markup: '0.5' },
        price_multipliers: [{ model: 'gpt-4o', factor: '2' }],
        usage_growth: '1.1',
      },
    });
  });

  it('says what is wrong, by the API’s field names', () => {
    const result = scenarioFromForm(formValues(new URLSearchParams({ from: '2026-02-31', shift_from_model: 'gpt-4o', shift_share: '2' })));
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['from', 'to', 'routing_shifts.0.to_provider', 'routing_shifts.0.share']));
  });
});
