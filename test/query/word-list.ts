// A VocabularySource over fixed word lists, answering the way a store does: by prefix, sorted, capped.
import type { VocabularyField, VocabularySource } from '../../src/query/index.js';

export class WordList implements VocabularySource {
  /** Every request, to check what the planner asked for. */
  readonly calls: { field: VocabularyField; prefix: string; limit: number }[] = [];
  private readonly words: Partial<Record<VocabularyField, string[]>>;

  constructor(words: Partial<Record<VocabularyField, string[]>>) {
    this.words = Object.fromEntries(Object.entries(words).map(([k, v]) => [k, [...new Set(v)].sort()]));
  }

  async vocabulary(field: VocabularyField, prefix: string, limit: number): Promise<string[]> {
    this.calls.push({ field, prefix, limit });
    return (this.words[field] ?? []).filter((w) => w.startsWith(prefix)).slice(0, limit);
  }
}

/** `count` words `${stem}0000`, `${stem}0001`, …: a vocabulary larger than a limit. */
export function numbered(stem: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${stem}${String(i).padStart(4, '0')}`);
}
