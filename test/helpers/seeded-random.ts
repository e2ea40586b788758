/** The examples' seeded source of numbers in [0, 1), so that a failing test run can be replayed. */
export { seeded } from '../../examples/shared/seeded-random.js';
