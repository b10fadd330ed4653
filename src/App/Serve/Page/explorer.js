// GpuVae latent explorer: plain JS and canvas, no build step. Every decode runs on the server
// through our backend (POST /api/decode); while z moves, at most two requests are in flight and
// the newest z waits for one, so a slow server drops intermediate positions rather than queueing them.
// A conditional VAE (a model with "classes") decodes every z as the class the header's selector
// picks: the same z is the same style drawn as another digit.
'use strict';

const SIDE = 28; // images are SIDE x SIDE = D = 784 pixels
// Tableau 10: ten labels told apart by hue and lightness, readable on the dark background.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const $ = id => document.getElementById(id);

const state = {
  model: null,       // {id, latent, layers (encoder | decoder, W:act each), pixels, images, classes (models that read the label only)}
  klass: null,       // the class every decode is conditioned on; null for a plain VAE
  latencies: [],     // ms from sending a decode to its pixels on the canvas
  live: null,        // the LiveDecoder of the view on screen
};

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || `${response.status} ${response.statusText}`);
  return json;
}

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

// 784 probabilities -> the canvas, white ink on black as MNIST stores digits, one grey level per
// pixel (round(255 p)) scaled up without smoothing, so every canvas pixel is some image pixel exactly.
const scratch = document.createElement('canvas');
scratch.width = scratch.height = SIDE;
function drawDigit(canvas, pixels) {
  const small = scratch.getContext('2d');
  const image = small.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  small.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

async function decode(z, klass = state.klass) {
  const body = { model: state.model.id, z: Array.from(z) };
  // A plain VAE refuses a class, so none is sent.
  if (klass !== null) body.class = klass;
  return (await api('/api/decode', body)).pixels;
}

// Decodes z into one canvas as z moves: the newest z wins. Two requests may be in flight, so
// the browser's own turnaround (fetch, parse, draw) overlaps the next request; a response
// older than the one on the canvas is dropped.
const IN_FLIGHT = 2;
class LiveDecoder {
  constructor(canvas) {
    this.canvas = canvas;
    this.pending = null;
    this.inFlight = 0;
    this.sent = 0;     // sequence number of the last request sent
    this.drawn = 0;    // sequence number of the response on the canvas
    this.shown = null; // {z, class, pixels} on the canvas now
    this.waiters = [];
  }

  request(z) {
    this.pending = Float32Array.from(z);
    this.pump();
    return this.idle();
  }

  // Resolves once nothing is pending or in flight.
  idle() {
    if (!this.pending && this.inFlight === 0) return Promise.resolve();
    return new Promise(resolve => this.waiters.push(resolve));
  }

  pump() {
    while (this.pending && this.inFlight < IN_FLIGHT) {
      const z = this.pending;
      const klass = state.klass;
      const sequence = ++this.sent;
      this.pending = null;
      this.inFlight++;
      const start = performance.now();
      decode(z, klass).then(pixels => {
        if (sequence > this.drawn) {
          this.drawn = sequence;
          drawDigit(this.canvas, pixels);
          this.shown = { z: Array.from(z), class: klass, pixels };
        }
        state.latencies.push(performance.now() - start);
        showLatency();
      }, e => status(e.message, true)).finally(() => {
        this.inFlight--;
        this.pump();
        if (!this.pending && this.inFlight === 0) this.waiters.splice(0).forEach(resolve => resolve());
      });
    }
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function latencyStats() {
  const sorted = [...state.latencies].sort((a, b) => a - b);
  return { count: sorted.length, median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

let lastShown = 0;
function showLatency() {
  const now = performance.now();
  if (now - lastShown < 250) return;
  lastShown = now;
  const s = latencyStats();
  status(`${s.count} decode${s.count === 1 ? "" : "s"} · median ${s.median.toFixed(1)} ms · p99 ${s.p99.toFixed(1)} ms`);
}

const fmt = v => (v >= 0 ? ' ' : '') + v.toFixed(2);

// ---- Z = 2: the latent plane -------------------------------------------------------------

const plane = {
  codes: null, live: null, z: [0, 0], extent: 4, selected: null, dragging: false,
  size: 600, base: null,
};

function planeToScreen(z) {
  const half = plane.size / 2;
  return [half + (z[0] / plane.extent) * half, half - (z[1] / plane.extent) * half];
}

function screenToPlane(x, y) {
  const half = plane.size / 2;
  return [((x - half) / half) * plane.extent, -((y - half) / half) * plane.extent];
}

// The points and axes drawn once; the marker and the posterior ellipse go over them.
function drawBase() {
  const dpr = window.devicePixelRatio || 1;
  const canvas = $('plane');
  canvas.width = canvas.height = plane.size * dpr;
  const base = document.createElement('canvas');
  base.width = base.height = plane.size * dpr;
  const ctx = base.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.fillStyle = '#101215';
  ctx.fillRect(0, 0, plane.size, plane.size);
  const step = plane.extent > 6 ? 2 : 1;
  ctx.font = '11px system-ui, sans-serif';
  for (let v = -Math.floor(plane.extent / step) * step; v <= plane.extent; v += step) {
    const [x, y] = planeToScreen([v, v]);
    ctx.strokeStyle = v === 0 ? '#3d434d' : '#23272e';
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x + 0.5, 0); ctx.lineTo(x + 0.5, plane.size); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, y + 0.5); ctx.lineTo(plane.size, y + 0.5); ctx.stroke();
    // Tick labels along the bottom and left edges, where no point hides them.
    ctx.fillStyle = '#6b717b';
    if (Math.abs(v) < plane.extent) {
      ctx.fillText(String(v), x + 3, plane.size - 5);
      ctx.fillText(String(v), 4, y - 3);
    }
  }
  ctx.fillText('z₁ →', plane.size - 30, plane.size - 5);
  ctx.fillText('↑ z₂', 4, 13);
  const { mu, labels } = plane.codes;
  ctx.globalAlpha = 0.7;
  for (let i = 0; i < labels.length; i++) {
    const [x, y] = planeToScreen([mu[2 * i], mu[2 * i + 1]]);
    ctx.fillStyle = PALETTE[labels[i]];
    ctx.beginPath(); ctx.arc(x, y, 1.8, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.globalAlpha = 1;
  plane.base = base;
}

function renderPlane() {
  const canvas = $('plane');
  const dpr = canvas.width / plane.size;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(plane.base, 0, 0);
  ctx.scale(dpr, dpr);
  // The posterior's 1- and 2-sigma ellipses go over the marker, which sits at their centre.
  const [mx, my] = planeToScreen(plane.z);
  ctx.lineWidth = 3; ctx.strokeStyle = '#000';
  ctx.beginPath(); ctx.arc(mx, my, 9, 0, 2 * Math.PI); ctx.stroke();
  ctx.lineWidth = 2; ctx.strokeStyle = '#ffd166';
  ctx.beginPath(); ctx.arc(mx, my, 9, 0, 2 * Math.PI); ctx.stroke();
  ctx.fillStyle = ctx.strokeStyle;
  ctx.beginPath(); ctx.arc(mx, my, 2, 0, 2 * Math.PI); ctx.fill();
  if (plane.selected) {
    const { mu, sigma, label } = plane.selected;
    const [x, y] = planeToScreen(mu);
    const scale = plane.size / 2 / plane.extent;
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = PALETTE[label] + '66';
    for (const k of [1, 2]) {
      ctx.setLineDash(k === 1 ? [] : [4, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.ellipse(x, y, k * sigma[0] * scale, k * sigma[1] * scale, 0, 0, 2 * Math.PI);
      if (k === 1) ctx.fill();
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = '#fff';
    ctx.beginPath(); ctx.moveTo(x - 5, y); ctx.lineTo(x + 5, y); ctx.moveTo(x, y - 5); ctx.lineTo(x, y + 5); ctx.stroke();
  }
}

function moveMarker(z) {
  plane.z = z;
  $('z').textContent = `(${fmt(z[0])}, ${fmt(z[1])})`;
  renderPlane();
  return plane.live.request(z);
}

function nearestPoint(x, y, radius) {
  const { mu } = plane.codes;
  let best = -1, bestDistance = radius * radius;
  for (let i = 0; i < mu.length / 2; i++) {
    const [px, py] = planeToScreen([mu[2 * i], mu[2 * i + 1]]);
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d <= bestDistance) { best = i; bestDistance = d; }
  }
  return best;
}

async function selectImage(index) {
  const item = await api(`/api/models/${state.model.id}/images/${index}`);
  plane.selected = item;
  // A conditional model reconstructs the image given its own label; decoding its mu as that
  // class too makes the decoded panel the reconstruction, as it is for a plain VAE.
  if (state.klass !== null) chooseClass(item.label);
  $('selection').hidden = false;
  $('selection-index').textContent = `#${item.index}, label ${item.label}`;
  drawDigit($('original'), item.image);
  drawDigit($('reconstruction'), item.reconstruction);
  const given = state.klass === null ? '' : ` given label ${item.label}`;
  $('posterior').textContent = `posterior${given}:\nmu = (${fmt(item.mu[0])}, ${fmt(item.mu[1])})\nsigma = (${item.sigma[0].toFixed(3)}, ${item.sigma[1].toFixed(3)})\nellipses: 1 sigma solid, 2 sigma dashed`;
  await moveMarker(item.mu);
}

function pointerPosition(event) {
  const rect = $('plane').getBoundingClientRect();
  return [(event.clientX - rect.left) * plane.size / rect.width, (event.clientY - rect.top) * plane.size / rect.height];
}

async function showPlane() {
  plane.codes = await api(`/api/models/${state.model.id}/codes`);
  const magnitudes = plane.codes.mu.map(Math.abs).sort((a, b) => a - b);
  // The view covers 99.9% of the codes with a margin, so a few outliers do not squeeze the rest.
  plane.extent = Math.max(2, Math.ceil(percentile(magnitudes, 0.999) * 1.1 * 2) / 2);
  plane.live = state.live = new LiveDecoder($('decoded'));
  plane.selected = null;
  $('selection').hidden = true;
  drawBase();
  $('legend').replaceChildren(...PALETTE.map((color, label) => {
    const item = document.createElement('span');
    const dot = document.createElement('i');
    dot.style.background = color;
    const count = plane.codes.labels.filter(l => l === label).length;
    item.append(dot, `${label} `, Object.assign(document.createElement('small'), { textContent: `(${count})` }));
    return item;
  }));
  $('plane-view').hidden = false;
  await moveMarker([0, 0]);
}

function wirePlane() {
  const canvas = $('plane');
  canvas.addEventListener('pointerdown', event => {
    const [x, y] = pointerPosition(event);
    const [mx, my] = planeToScreen(plane.z);
    if ((x - mx) ** 2 + (y - my) ** 2 > 12 ** 2) {
      const hit = nearestPoint(x, y, 5);
      if (hit >= 0) {
        selectImage(hit).catch(e => status(e.message, true));
        return;
      }
      moveMarker(screenToPlane(x, y));
    }
    plane.dragging = true;
    canvas.classList.add('dragging');
    try { canvas.setPointerCapture(event.pointerId); } catch { /* a synthetic pointer has nothing to capture */ }
  });
  canvas.addEventListener('pointermove', event => {
    if (!plane.dragging) return;
    const [x, y] = pointerPosition(event);
    moveMarker(screenToPlane(Math.min(plane.size, Math.max(0, x)), Math.min(plane.size, Math.max(0, y))));
  });
  const end = () => { plane.dragging = false; canvas.classList.remove('dragging'); };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
}

// ---- Z > 2: traversals, interpolation, prior samples --------------------------------------

const sliders = { item: null, live: null };

function randomIndex() { return Math.floor(Math.random() * state.model.images); }

async function showTraversal(index) {
  const item = await api(`/api/models/${state.model.id}/images/${index}`);
  sliders.item = item;
  drawDigit($('traverse-original'), item.image);
  $('traverse-caption').textContent = `image #${item.index}, label ${item.label}`;
  $('sliders').replaceChildren(...item.mu.map((mu, k) => {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { type: 'range', min: mu - 3, max: mu + 3, step: 0.01, value: mu });
    const output = document.createElement('output');
    output.textContent = fmt(mu);
    input.addEventListener('input', () => { output.textContent = fmt(Number(input.value)); traverse(); });
    label.append(`z${k + 1}`, input, output);
    return label;
  }));
  await traverse();
}

function traverse() {
  const z = [...$('sliders').querySelectorAll('input')].map(input => Number(input.value));
  return sliders.live.request(z);
}

async function showInterpolation() {
  const steps = 10;
  const from = await api(`/api/models/${state.model.id}/images/${Number($('interpolate-from').value)}`);
  const to = await api(`/api/models/${state.model.id}/images/${Number($('interpolate-to').value)}`);
  const canvases = [];
  const add = (pixels, end) => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 56, height: 56, className: end ? 'digit end' : 'digit' });
    drawDigit(canvas, pixels);
    canvases.push(canvas);
  };
  add(from.image, true);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    add(await decode(from.mu.map((a, k) => a + t * (to.mu[k] - a))), false);
  }
  add(to.image, true);
  $('interpolation').replaceChildren(...canvases);
}

// The codes of the samples on screen, so a change of class redraws the same z as the new class.
let sampleCodes = [];

async function drawSamples() {
  const canvases = [];
  for (const z of sampleCodes) {
    const canvas = Object.assign(document.createElement('canvas'), { width: 56, height: 56, className: 'digit' });
    drawDigit(canvas, await decode(z));
    canvases.push(canvas);
  }
  $('samples').replaceChildren(...canvases);
}

// mulberry32: a small seeded generator, so each "new samples" click is reproducible from its seed.
function random32(seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let sampleSeed = 1;
async function showSamples() {
  const uniform = random32(sampleSeed++);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  sampleCodes = Array.from({ length: 24 }, () => Array.from({ length: state.model.latent }, normal));
  await drawSamples();
}

async function showSliders() {
  sliders.live = state.live = new LiveDecoder($('traverse-decoded'));
  $('slider-view').hidden = false;
  const last = state.model.images - 1;
  for (const id of ['traverse-index', 'interpolate-from', 'interpolate-to']) $(id).max = last;
  await showTraversal(Number($('traverse-index').value));
  await showInterpolation();
  await showSamples();
}

function wireSliders() {
  const failing = promise => promise.catch(e => status(e.message, true));
  $('traverse-index').addEventListener('change', () => failing(showTraversal(Number($('traverse-index').value))));
  $('traverse-random').addEventListener('click', () => { $('traverse-index').value = randomIndex(); failing(showTraversal(Number($('traverse-index').value))); });
  $('traverse-reset').addEventListener('click', () => failing(showTraversal(sliders.item.index)));
  $('interpolate-from').addEventListener('change', () => failing(showInterpolation()));
  $('interpolate-to').addEventListener('change', () => failing(showInterpolation()));
  $('interpolate-random').addEventListener('click', () => {
    $('interpolate-from').value = randomIndex();
    $('interpolate-to').value = randomIndex();
    failing(showInterpolation());
  });
  $('sample').addEventListener('click', () => failing(showSamples()));
}

// ---- the class of a conditional model ---------------------------------------------------------

// Sets the class later decodes use, and the page's words for it; decodes nothing.
function chooseClass(klass) {
  state.klass = klass;
  $('class').value = String(klass);
  $('decoded-class').textContent = `as class ${klass}`;
  $('traverse-decoded-caption').textContent = `decoded z as class ${klass}`;
}

// The page's words for a plain VAE, which a conditional model's replace.
const PLAIN_WORDS = { 'plane-caption': $('plane-caption').textContent, 'plane-hint': $('plane-hint').textContent, 'traverse-decoded-caption': $('traverse-decoded-caption').textContent };
const CONDITIONAL_WORDS = {
  'plane-caption': 'posterior means of the test images given their labels, coloured by label',
  'plane-hint': 'Drag the ring to decode any z as the class chosen above; click a point to see that test image, its reconstruction given its label (the class switches to that label) and its posterior.',
};

// Fills the selector with the model's C classes (hidden for a plain VAE), keeping the class
// chosen before where the model has it; #class=N in the address picks one at the start.
function showClasses(model) {
  const classes = model.classes || 0;
  $('class').replaceChildren(...Array.from({ length: classes }, (_, c) => Object.assign(document.createElement('option'), { value: c, textContent: String(c) })));
  $('class-choice').hidden = classes === 0;
  for (const [id, words] of Object.entries(classes > 0 ? CONDITIONAL_WORDS : PLAIN_WORDS)) $(id).textContent = words;
  if (classes === 0) {
    state.klass = null;
    $('decoded-class').textContent = '';
    return;
  }
  const linked = /class=(\d+)/.exec(location.hash);
  const wanted = state.klass ?? (linked ? Number(linked[1]) : 0);
  chooseClass(wanted < classes ? wanted : 0);
}

// Redraws every decode of the view on screen as the newly chosen class.
async function changeClass(klass) {
  chooseClass(klass);
  if (state.model.latent === 2) {
    await moveMarker(plane.z);
  } else {
    await traverse();
    await showInterpolation();
    await drawSamples();
  }
}

// ---- start -----------------------------------------------------------------------------------

async function show(model) {
  state.model = model;
  $('plane-view').hidden = $('slider-view').hidden = true;
  $('info').textContent = `${model.id}: ${model.classes ? `cvae of ${model.classes} classes, ` : ''}Z = ${model.latent}, layers ${model.layers}, ${model.images} test images`;
  showClasses(model);
  // #image=N in the address opens with test image N chosen, so a view can be linked to
  // (with #model=dim8&image=N for another model).
  const linked = /image=(\d+)/.exec(location.hash);
  if (model.latent === 2) {
    await showPlane();
    if (linked) await selectImage(Number(linked[1]));
  } else {
    if (linked) $('traverse-index').value = linked[1];
    await showSliders();
  }
  window.explorer.ready = true;
}

async function start() {
  const models = await api('/api/models');
  const select = $('model');
  select.replaceChildren(...models.map(m => Object.assign(document.createElement('option'), { value: m.id, textContent: `${m.id} (Z = ${m.latent})` })));
  $('model-choice').hidden = models.length < 2;
  select.addEventListener('change', () => {
    window.explorer.ready = false;
    show(models.find(m => m.id === select.value)).catch(e => status(e.message, true));
  });
  $('class').addEventListener('change', () => {
    window.explorer.ready = false;
    changeClass(Number($('class').value)).then(() => { window.explorer.ready = true; }, e => status(e.message, true));
  });
  wirePlane();
  wireSliders();
  // #model=dim8 in the address opens that model (with &class=3 for a conditional one).
  const linked = /model=([\w.-]+)/.exec(location.hash);
  const first = models.find(m => linked && m.id === linked[1]) || models[0];
  select.value = first.id;
  await show(first);
}

// What the browser tests read and drive: the page's own numbers, not a second implementation.
window.explorer = {
  ready: false,
  latency: latencyStats,
  resetLatency: () => { state.latencies = []; },
  shown: () => state.live.shown,
  idle: () => state.live.idle(),
  selected: () => plane.selected,
  marker: () => plane.z,
  // The client (CSS pixel) position of a latent point on the plane.
  clientPoint: z => {
    const rect = $('plane').getBoundingClientRect();
    const [x, y] = planeToScreen(z);
    return { x: rect.left + x * rect.width / plane.size, y: rect.top + y * rect.height / plane.size };
  },
  code: index => [plane.codes.mu[2 * index], plane.codes.mu[2 * index + 1]],
  samples: () => sampleCodes,
};

start().catch(e => status(e.message, true));
