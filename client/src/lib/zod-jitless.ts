/**
 * Imported first by each page. Zod compiles object parsers with `new Function` when it
 * can, and finds out whether it can by calling `Function('')`: the pages' Content
 * Security Policy has no 'unsafe-eval', so that probe is refused and reported as a
 * violation. Zod's plain parsers are all the app needs (its messages are small).
 */
import { z } from 'zod';

z.config({ jitless: true });
