/**
 * Writes examples/data/corpus/chapter-NN.txt: "The Ring Keepers", an English-like text generated
 * from a fixed seed, so it is the same on every machine and owes nothing to anyone (CC0 / public
 * domain). It exists to give the word-count job something of size to chew on: about 80 KB per
 * chapter, a Zipf-like vocabulary, punctuation, apostrophes and line breaks.
 *
 *   npx node examples/data/generate-corpus.mjs [chapters=8] [sentencesPerChapter=1100]
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: a tiny seeded PRNG (the text only has to be reproducible, not random). */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = {
  subject: ["the keeper", "the ring", "a member", "the relayer", "every node", "the old engine", "the chain", "a stranger", "the scribe", "the fourth member", "the quiet avatar", "the council", "the replica", "each of them", "nobody", "the reducer", "the mapper", "the watcher", "she", "he", "they", "it"],
  verb: ["kept", "signed", "counted", "carried", "wrote", "remembered", "replicated", "refused", "answered", "weighed", "followed", "flushed", "trusted", "doubted", "checked", "sealed", "copied", "traded", "lost", "found", "named", "heard"],
  object: ["the log", "its head", "the round", "a signature", "the last checkpoint", "the ledger", "every block", "the old hash", "a promise", "the vote", "two thirds of the truth", "the gate", "the scope", "the map", "the reduction", "a fork", "the proof", "the quiet ring", "the seed", "the shard", "the word", "their names"],
  adverb: ["slowly", "twice", "without a word", "at dawn", "in the cold", "again", "by hand", "in order", "with care", "before the round closed", "for the hundredth time", "in silence", "as agreed", "under the lamp", "all night"],
  connector: ["and", "but", "so", "while", "because", "although", "until", "since", "and then", "yet"],
  opener: ["In the morning", "Later", "After the vote", "When the chain was quiet", "Long before the fork", "That winter", "On the third round", "At last", "Once", "Still", "Meanwhile", "By the hundredth block"],
  aside: ["they said", "it was written", "or so the log said", "as the keepers tell it", "nobody doubted it", "the ring agreed", "the scribe noted", "everyone signed"],
  speech: ["We don't forget", "Count it again", "The head is ours", "Sign, or be outvoted", "Nothing is lost", "Two thirds is enough", "Who holds the log?", "Let the chain decide", "It's deterministic", "Show me the proof"],
};

/** Zipf-like pick: earlier entries are much more frequent. */
function pick(list, random) {
  const index = Math.floor(list.length * Math.pow(random(), 2.2));
  return list[Math.min(index, list.length - 1)];
}

function sentence(random) {
  const roll = random();
  if (roll < 0.08) return `"${pick(words.speech, random)}," ${pick(words.aside, random)}.`;
  let text = `${pick(words.subject, random)} ${pick(words.verb, random)} ${pick(words.object, random)}`;
  if (random() < 0.5) text += ` ${pick(words.adverb, random)}`;
  if (random() < 0.45) text += `, ${pick(words.connector, random)} ${pick(words.subject, random)} ${pick(words.verb, random)} ${pick(words.object, random)}`;
  if (random() < 0.15) text += `, ${pick(words.aside, random)}`;
  if (random() < 0.3) text = `${pick(words.opener, random)}, ${text}`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random() < 0.1 ? "!" : "."}`;
}

function chapter(number, sentences, random) {
  const lines = [`Chapter ${number}`, ""];
  let paragraph = [];
  for (let i = 0; i < sentences; i += 1) {
    paragraph.push(sentence(random));
    if (random() < 0.12 || i === sentences - 1) {
      // Wrap paragraphs at ~76 columns, like an old printed book.
      let line = "";
      for (const word of paragraph.join(" ").split(" ")) {
        if (line.length + word.length + 1 > 76) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      if (line) lines.push(line);
      lines.push("");
      paragraph = [];
    }
  }
  return lines.join("\n");
}

const chapters = Number(process.argv[2] ?? 8);
const sentencesPerChapter = Number(process.argv[3] ?? 1100);
const random = prng(0x52494e47); // "RING"
const out = join(here, "corpus");
await mkdir(out, { recursive: true });
let bytes = 0;
for (let number = 1; number <= chapters; number += 1) {
  const text = `The Ring Keepers\n\n${chapter(number, sentencesPerChapter, random)}`;
  bytes += Buffer.byteLength(text);
  await writeFile(join(out, `chapter-${String(number).padStart(2, "0")}.txt`), text);
}
console.log(`wrote ${chapters} chapters, ${bytes} bytes, to ${out}`);
