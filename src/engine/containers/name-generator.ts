import { randomInt } from 'node:crypto';

// Docker-style generated names, adjective_surname. Our own short lists of adjectives and of
// people who shaped computing.
const ADJECTIVES = [
  'admiring', 'agitated', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'charming', 'clever', 'compassionate',
  'competent', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic', 'exciting',
  'fervent', 'festive', 'focused', 'friendly', 'gallant', 'gifted', 'gracious', 'happy', 'hopeful', 'inspiring',
  'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pensive', 'practical', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic',
  'sweet', 'tender', 'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'youthful', 'zealous',
];
const NAMES = [
  'allen', 'babbage', 'backus', 'bartik', 'berners', 'boole', 'cerf', 'church', 'codd', 'conway', 'dijkstra',
  'easley', 'engelbart', 'floyd', 'goldberg', 'hamilton', 'hopper', 'hoare', 'johnson', 'kahn', 'kay', 'knuth',
  'lamport', 'liskov', 'lovelace', 'mccarthy', 'minsky', 'moore', 'naur', 'neumann', 'noether', 'perlman',
  'ritchie', 'shannon', 'shaw', 'sutherland', 'tarjan', 'thompson', 'torvalds', 'turing', 'wilkes', 'wirth',
  'wozniak', 'yao',
];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 10; i++) {
    const n = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
    if (!taken(n)) return n;
  }
  for (;;) {
    const n = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}${randomInt(10)}`;
    if (!taken(n)) return n;
  }
}
