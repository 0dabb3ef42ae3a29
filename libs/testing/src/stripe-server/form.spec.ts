import { canonical, FormError, list, parseForm } from './form';

describe('parseForm (stripe-node bracket notation)', () => {
  it('nests objects and indexed arrays as stripe-node writes them', () => {
    const body =
      'customer=cus_1&metadata[tollgate_invoice_id]=inv%201&lines[0][amount]=1230&lines[0][description]=Usage%20%E2%80%94%20gpt-4o' +
      '&lines[0][period][start]=1700000000&lines[1][amount]=-500&expand[0]=lines';
    const form = parseForm(body);
    expect(form).toEqual({
      customer: 'cus_1',
      metadata: { tollgate_invoice_id: 'inv 1' },
      lines: { 0: { amount: '1230', description: 'Usage — gpt-4o', period: { start: '1700000000' } }, 1: { amount: '-500' } },
      expand: { 0: 'lines' },
    });
    expect(list(form.lines)).toEqual([
      { amount: '1230', description: 'Usage — gpt-4o', period: { start: '1700000000' } },
      { amount: '-500' },
    ]);
  });

  it('reads encoded brackets, plus as space, and empty values (unset)', () => {
    expect(parseForm('metadata%5Ba%5D=x+y&description=')).toEqual({ metadata: { a: 'x y' }, description: '' });
  });

  it('appends with empty brackets', () => {
    expect(list(parseForm('expand[]=a&expand[]=b').expand)).toEqual(['a', 'b']);
  });

  it('treats a container whose keys are not indexes as no list', () => {
    expect(list(parseForm('metadata[a]=1').metadata)).toBeUndefined();
    expect(list(parseForm('a=1').a)).toBeUndefined();
  });

  it('refuses malformed names', () => {
    expect(() => parseForm('a]b=1')).toThrow(FormError);
  });

  it('renders the same parameters the same way whatever their order', () => {
    expect(canonical(parseForm('a=1&m[x]=1&m[y]=2'))).toBe(canonical(parseForm('m[y]=2&a=1&m[x]=1')));
    expect(canonical(parseForm('a=1'))).not.toBe(canonical(parseForm('a=2')));
  });
});
