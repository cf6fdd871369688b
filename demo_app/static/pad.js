/**
 * The drawing pad: a canvas drawn on with pointer events (mouse, touch and pen alike), white ink on
 * black like MNIST. It knows nothing about models: it reports changes and hands out its pixels.
 * @module
 */

/** @typedef {'stroke' | 'end' | 'clear' | 'image'} PadChange */

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{lineWidth?: number, onChange?: (kind: PadChange) => void}} [options]
   */
  constructor(canvas, { lineWidth = 22, onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { willReadFrequently: true }));
    this.lineWidth = lineWidth;
    this.onChange = onChange;
    /** @type {number | null} the pointer that is drawing; others are ignored (palm, second finger) */
    this.pointer = null;
    this.last = { x: 0, y: 0 };
    this.clear(false);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this.up(/** @type {PointerEvent} */ (e)));
    }
  }

  /**
   * Canvas coordinates of a pointer event (the canvas may be displayed smaller or larger).
   * @param {PointerEvent} e
   */
  at(e) {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) * this.canvas.width) / r.width,
      y: ((e.clientY - r.top) * this.canvas.height) / r.height,
    };
  }

  /** @param {PointerEvent} e */
  down(e) {
    if (this.pointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.pointer = e.pointerId;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this.at(e);
    this.segment(this.last, this.last);
    this.onChange('stroke');
  }

  /** @param {PointerEvent} e */
  move(e) {
    if (e.pointerId !== this.pointer) return;
    // coalesced events: every sample the device gave since the last frame, for smooth fast strokes
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      const p = this.at(ev);
      this.segment(this.last, p);
      this.last = p;
    }
    this.onChange('stroke');
  }

  /** @param {PointerEvent} e */
  up(e) {
    if (e.pointerId !== this.pointer) return;
    this.pointer = null;
    this.onChange('end');
  }

  /**
   * @param {{x: number, y: number}} a
   * @param {{x: number, y: number}} b
   */
  segment(a, b) {
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.lineWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  /** Wipes the pad. @param {boolean} [notify] */
  clear(notify = true) {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (notify) this.onChange('clear');
  }

  /**
   * Paints a small greyscale image (0-255 ink) over the whole pad, smoothly scaled up, as if drawn.
   * @param {ArrayLike<number>} pixels row-major
   * @param {number} width
   * @param {number} height
   */
  paint(pixels, width, height) {
    const small = document.createElement('canvas');
    small.width = width;
    small.height = height;
    const sctx = /** @type {CanvasRenderingContext2D} */ (small.getContext('2d'));
    const img = sctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const v = pixels[i];
      img.data.set([v, v, v, 255], i * 4);
    }
    sctx.putImageData(img, 0, 0);
    this.clear(false);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'high';
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.onChange('image');
  }

  /** The ink, one 0-255 value per canvas pixel (the red channel: the ink is grey). */
  pixels() {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const gray = new Uint8ClampedArray(width * height);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4];
    return { gray, width, height };
  }
}
