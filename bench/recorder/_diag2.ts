import { remuxThroughput } from './remux.js';
const r = await remuxThroughput({ seconds: Number(process.argv[2] ?? 300), kbps: 450, participants: [1, 8], chromiumPath: '/usr/bin/chromium', log: (l) => console.error(l) });
console.log(JSON.stringify(r, null, 1));
