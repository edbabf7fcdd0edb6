import { describe, expect, it } from 'vitest';
import { escapeToken, Subjects, unescapeToken } from '../src/subjects.js';

describe('subjects', () => {
  it('are hierarchical under one root per cluster', () => {
    const s = new Subjects('demo');
    expect(s.root).toBe('tickline-demo');
    expect(s.heartbeat('A')).toBe('tickline-demo.node.A.heartbeat');
    expect(s.heartbeats).toBe('tickline-demo.node.*.heartbeat');
    expect(s.allStats).toBe('tickline-demo.node.*.stats');
    expect(s.nodeOf(s.stats('node-b'))).toBe('node-b');
    expect(s.nodeOf(s.heartbeat('a.b'))).toBe('a.b');
    expect(s.nodeOf('other.subject')).toBeNull();
  });

  it('escapes what a token may not hold, reversibly, and nothing else', () => {
    expect(escapeToken('XBT/USD')).toBe('XBT/USD');
    expect(escapeToken('BTC.USD')).toBe('BTC%2EUSD');
    expect(escapeToken('a*b>c%d e')).toBe('a%2Ab%3Ec%25d%20e');
    expect(new Subjects('demo').heartbeat('A.B')).toBe('tickline-demo.node.A%2EB.heartbeat');
    for (const text of ['BTC.USD', 'a*b>c%d e', 'ÄÖ€', '%2E', 'plain']) {
      const t = escapeToken(text);
      expect(t).toMatch(/^[\x21-\x7e]+$/);
      expect(t).not.toMatch(/[.*>]/);
      expect(unescapeToken(t)).toBe(text);
    }
    expect(() => escapeToken('')).toThrow(TypeError);
  });
});
