import { copySuite } from './copy-suite.js';
import { embedded } from './fixtures.js';

copySuite(embedded);
