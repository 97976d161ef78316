// A user's regex with named groups, for formats no built-in parser knows.
import { describe, expect, it } from 'vitest';
import { hashLegacyId } from '../../src/model/ids.js';
import { createLineParser } from '../../src/parse/index.js';
import { OBSERVED, us } from './samples.js';

const pattern = '^(?P<time>\\S+ \\S+) \\| (?P<level>\\w+) \\| (?P<service>[\\w-]+) \\| req=(?P<request_id>\\S+) q=(?P<queue>\\w+) \\| (?P<msg>.*)$';

describe('format regex', () => {
  const parse = createLineParser({ format: 'regex', pattern, zone: 'Europe/Berlin', host: 'batch-01' });

  it('maps the named groups onto the record; other groups become attributes', () => {
    const parsed = parse('2024-03-12 09:15:02.117 | WARN | billing-batch | req=REQ-77 q=invoices | invoice queue backed up', OBSERVED);
    expect(parsed.log).toMatchObject({
      time: us('2024-03-12T08:15:02.117Z'), severityNumber: 13, severityText: 'WARN', service: 'billing-batch', host: 'batch-01',
      body: 'invoice queue backed up', traceId: hashLegacyId('REQ-77'), attributes: { queue: 'invoices', request_id: 'REQ-77' },
    });
    expect(parsed.aliases).toEqual(['REQ-77']);
  });

  it('keeps a line the pattern does not match raw, saying so', () => {
    const { log } = parse('something else entirely', OBSERVED);
    expect(log).toMatchObject({ body: 'something else entirely', time: OBSERVED, host: 'batch-01' });
    expect(log.parseError).toMatch(/^not a regex line: does not match the configured pattern/);
  });

  it('is tried first in auto mode, before the built-in parsers', () => {
    const auto = createLineParser({ pattern: '^(?<level>[A-Z]+)\\s+\\[(?<time>[^\\]]+)\\] (?<msg>.*)$' });
    expect(auto('ERROR [2024-03-12T09:15:02Z] disk full', OBSERVED).log).toMatchObject({ severityNumber: 17, time: us('2024-03-12T09:15:02Z'), body: 'disk full' });
    expect(auto('{"msg":"still JSON"}', OBSERVED).log.body).toBe('still JSON');
  });
});
