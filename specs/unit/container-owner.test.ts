import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ownerIsGone, ownerLabel } from '../../harness/runtime/container/container-owner.js';

describe('container owner labels', () => {
  it('name this machine, pid namespace, pid and start time', () => {
    const parts = ownerLabel().split('|');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe(hostname());
    expect(parts[2]).toBe(String(process.pid));
    expect(parts[3]).toMatch(/^\d+$/);
  });

  it('a living owner is not gone', () => {
    expect(ownerIsGone(ownerLabel())).toBe(false);
    expect(ownerIsGone(ownerLabel(process.ppid))).toBe(false);
  });

  it('an owner that exited is gone; so is one whose pid now belongs to a process started at another time', () => {
    const exited = spawnSync(process.execPath, ['-e', '']);
    expect(ownerIsGone(ownerLabel(exited.pid))).toBe(true);
    const [host, namespace, pid] = ownerLabel().split('|');
    expect(ownerIsGone([host, namespace, pid, '1'].join('|'))).toBe(true);
  });

  it('an owner on another machine or in another pid namespace, or a label it cannot read, is never judged', () => {
    const exited = spawnSync(process.execPath, ['-e', '']);
    const [, namespace, pid, started] = ownerLabel(exited.pid).split('|');
    expect(ownerIsGone(['another-host', namespace, pid, started].join('|'))).toBe(false);
    expect(ownerIsGone([hostname(), 'pid:[1]', pid, started].join('|'))).toBe(false);
    expect(ownerIsGone('12345')).toBe(false);
    expect(ownerIsGone('')).toBe(false);
  });
});
