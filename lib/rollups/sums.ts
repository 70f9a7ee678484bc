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
