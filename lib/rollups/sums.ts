/** One rollup row's figures, summed over whatever the caller grouped by (day and mode for the page). */
export interface RollupSums {
  deployments: number;
  succeeded: number;
  failures: number;
  leadTimeCount: number;
  leadTimeSumMs: number;
  approvalWaitCount: number;
  approvalWaitSumMs: number;
  restoreCount: number;
  restoreSumMs: number;
  driftDetected: number;
  driftCorrected: number;
}

/** A row with nothing counted yet: where sums over rows start. */
export const zeroRollupSums = (): RollupSums => ({
  deployments: 0,
  succeeded: 0,
  failures: 0,
  leadTimeCount: 0,
  leadTimeSumMs: 0,
  approvalWaitCount: 0,
  approvalWaitSumMs: 0,
  restoreCount: 0,
  restoreSumMs: 0,
  driftDetected: 0,
  driftCorrected: 0,
});

/** The summed columns of a rollup row, as a Prisma `_sum` selection (per-target and fleet rows have the same ones). */
export const ROLLUP_SUM_FIELDS = {
  deployments: true,
  succeeded: true,
  failures: true,
  leadTimeCount: true,
  leadTimeSumMs: true,
  approvalWaitCount: true,
  approvalWaitSumMs: true,
  restoreCount: true,
  restoreSumMs: true,
  driftDetected: true,
  driftCorrected: true,
} as const satisfies Record<keyof RollupSums, true>;
