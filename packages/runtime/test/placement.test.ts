import { describe, expect, it } from 'vitest';
import { autoPlacement, type Issue, PLACEMENTS, placementGroups, placementName, runtimeSchema } from '../src/index.js';

describe('placement: auto', () => {
  it('picks the most parallel placement whose busy threads fit beside the main thread, and says why', () => {
    expect(autoPlacement(1).name).toBe('one-worker');
    expect(autoPlacement(2).name).toBe('one-worker');
    expect(autoPlacement(3).name).toBe('two-workers');
    expect(autoPlacement(6).name).toBe('two-workers');
    expect(autoPlacement(7).name).toBe('six-pools');
    expect(autoPlacement(64).name).toBe('six-pools');
    expect(autoPlacement(2).reason).toMatch(/^2 cores: 1 busy worker thread fit the 1 core left beside the main thread/);
  });

  it('names the placements it knows, and each is a valid fuse list', () => {
    for (const [name, fuse] of Object.entries(PLACEMENTS)) {
      expect(placementName(fuse)).toBe(name);
      const issues: Issue[] = [];
      const groups = placementGroups(runtimeSchema.parse({ fuse: [...fuse] }, '', issues), issues);
      expect(issues).toEqual([]);
      expect(groups.length).toBe(name === 'six-pools' ? 6 : name === 'two-workers' ? 2 : 1);
    }
    expect(placementName(['normalize+book'])).toBeNull();
  });

  it('is validated like every other setting', () => {
    const issues: Issue[] = [];
    runtimeSchema.parse({ placement: 'fastest' }, '', issues);
    expect(issues.map((i) => i.path)).toEqual(['placement']);
    expect(issues[0]?.message).toMatch(/"configured", "auto"/);
  });
});
