import { describe, expect, it } from 'vitest';
import { planUplink } from './bandwidth.js';

describe('uplink plan', () => {
  it('gives each link less as the room grows, down-scaling video, never below a floor', () => {
    const plans = [1, 3, 7].map((remotes) => planUplink(remotes, { uplinkKbps: 2500 }));
    const bitrates = plans.map((plan) => plan.camera.maxBitrate ?? 0);
    expect(bitrates[0]).toBe(1_000_000); // capped: one remote needs no more than 1 Mbit/s
    expect(bitrates[1]).toBeLessThan(bitrates[0]!);
    expect(bitrates[2]).toBeLessThan(bitrates[1]!);
    expect(plans[2]!.camera.scaleResolutionDownBy).toBeGreaterThan(1);
    expect(planUplink(7, { uplinkKbps: 200 }).camera.maxBitrate).toBeGreaterThanOrEqual(50_000);
  });

  it('keeps room for audio and gives a screen share the larger part', () => {
    const plan = planUplink(3, { uplinkKbps: 3000, sharing: true });
    const total = ((plan.camera.maxBitrate ?? 0) + (plan.screen.maxBitrate ?? 0)) / 1000;
    expect(total).toBeLessThanOrEqual(3000 / 3 - 48 + 1);
    expect(plan.screen.maxBitrate).toBeGreaterThan(plan.camera.maxBitrate ?? 0);
  });
});
