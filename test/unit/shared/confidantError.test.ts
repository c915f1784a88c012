import { describe, expect, it } from 'vitest';
import { ConfidantError, isConfidantError } from '../../../src-main/shared/confidantError';

describe('ConfidantError', () => {
  it('says what, where and what to do', () => {
    const error = new ConfidantError('data.empty-record', 'The record is empty.', {
      where: { file: 'notes.csv', line: 12, field: 'text' },
      hint: 'Remove the line or fill in the text column.',
    });
    expect(error.describe()).toBe(
      'notes.csv:12, field "text": The record is empty.\nWhat to do: Remove the line or fill in the text column.',
    );
    expect(isConfidantError(error)).toBe(true);
    expect(isConfidantError(new Error('x'))).toBe(false);
  });

  it('omits the location when there is none', () => {
    expect(new ConfidantError('x', 'Plain.').describe()).toBe('Plain.');
    expect(new ConfidantError('x', 'File only.', { where: { file: 'a.json' } }).location).toBe('a.json');
  });
});
