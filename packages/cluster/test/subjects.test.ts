import { describe, expect, it } from 'vitest';
import { escapeToken, Subjects, unescapeToken } from '../src/subjects.js';

describe('subjects', () => {
  it('are hierarchical with the instrument last', () => {
    const s = new Subjects('demo');
    expect(s.edge('book->signals', 1, 'sim', 'BTC-USD')).toBe('tickline.demo.edge.book-signals.s1.sim.BTC-USD');
    expect(s.edgeShardAll('book->signals', 1)).toBe('tickline.demo.edge.book-signals.s1.>');
    expect(s.edgeAll('execution->risk')).toBe('tickline.demo.edge.execution-risk.>');
    expect(s.heartbeat('A')).toBe('tickline.demo.node.A.heartbeat');
    expect(s.heartbeats).toBe('tickline.demo.node.*.heartbeat');
    expect(s.nodeOf(s.stats('node-b'))).toBe('node-b');
    expect(s.nodeOf('other.subject')).toBeNull();
  });

  it('escapes what a token may not hold, reversibly, and nothing else', () => {
    expect(escapeToken('XBT/USD')).toBe('XBT/USD');
    expect(escapeToken('BTC.USD')).toBe('BTC%2EUSD');
    expect(escapeToken('a*b>c%d e')).toBe('a%2Ab%3Ec%25d%20e');
    const s = new Subjects('demo');
    expect(s.edge('book->signals', 0, 'sim', 'A.B')).toBe('tickline.demo.edge.book-signals.s0.sim.A%2EB');
    for (const text of ['BTC.USD', 'a*b>c%d e', 'ÄÖ€', '%2E', 'plain']) {
      const t = escapeToken(text);
      expect(t).toMatch(/^[\x21-\x7e]+$/);
      expect(t).not.toMatch(/[.*>]/);
      expect(unescapeToken(t)).toBe(text);
    }
    expect(() => escapeToken('')).toThrow(TypeError);
  });
});
