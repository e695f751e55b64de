// Entry of a render thread when jibao runs from its TypeScript source (no dist/ build):
// the thread registers tsx itself, then loads the task.
import { register } from 'tsx/esm/api';

register();
const task = await import('./render-thread.ts');
export default task.default;
