import { chromiumLauncher } from '../shared/chromium.js';
import { recordMeeting } from './meeting.js';
const browser = await chromiumLauncher()();
try {
  const r = await recordMeeting(browser, { participants: Number(process.argv[2] ?? 2), profile: (process.argv[3] ?? 'low') as 'low', seconds: Number(process.argv[4] ?? 10), feedDecoders: process.argv[5] === 'feed', sampleSeconds: 5, log: (l) => console.error(l) });
  console.log(JSON.stringify(r, null, 1));
} finally { await browser.close(); }
