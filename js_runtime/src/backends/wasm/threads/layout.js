/**
 * The pool's control block in shared linear memory, as the calling thread and the workers read it
 * (worker.js gets these numbers in its start message, so it imports nothing).
 *
 * Int32 words: STATE = epoch << 16 | jobs << 8 | next job (one word, so a claim by compare-exchange
 * can never take a job of another dispatch), DONE = jobs finished, QUIT = 1 when the pool ends,
 * SLEEPERS = workers in `Atomics.wait` (the caller notifies only when there are some), RUNNING =
 * workers instantiated and claiming (until one is, calls run unsplit on the caller). Then
 * {@link MAX_JOBS} job records of {@link JOB_BYTES}: int32 [export index, part, parts, argc, rc] and
 * float64 args (pointers and numbers, as the export takes them), then one params slot of
 * {@link SLOT_BYTES} per job for parts that need their own params struct.
 * @module
 */

export const STATE = 0;
export const DONE = 1;
export const QUIT = 2;
export const SLEEPERS = 3;
export const RUNNING = 4;
export const HEADER_BYTES = 64;
export const MAX_JOBS = 64;
export const MAX_ARGS = 8;
/** int32 fields of a job record */
export const JOB_FN = 0;
export const JOB_PART = 1;
export const JOB_PARTS = 2;
export const JOB_ARGC = 3;
export const JOB_RC = 4;
export const JOB_ARGS_BYTE = 32;
export const JOB_BYTES = JOB_ARGS_BYTE + 8 * MAX_ARGS;
export const SLOT_BYTES = 256;
export const CONTROL_BYTES = HEADER_BYTES + MAX_JOBS * (JOB_BYTES + SLOT_BYTES);

/** What worker.js needs to know of this layout. */
export const LAYOUT = Object.freeze({
  STATE,
  DONE,
  QUIT,
  SLEEPERS,
  RUNNING,
  HEADER_BYTES,
  JOB_FN,
  JOB_PART,
  JOB_PARTS,
  JOB_ARGC,
  JOB_RC,
  JOB_ARGS_BYTE,
  JOB_BYTES,
});
