/** Mirror jobs on the embedded server (both ends). */
import { mirrorSuite } from './mirror-suite.js';
import { embedded } from './fixtures.js';

mirrorSuite(embedded, embedded);
