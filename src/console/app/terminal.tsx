import { useEffect, useRef, useState } from 'preact/hooks';
import { csrfToken } from './api.js';

/** An exec shell in the container through xterm.js, loaded only when a terminal is opened. */
export function Terminal({ id }: { id: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    let disposed = false;
    let cleanup = () => undefined as void;
    void (async () => {
      const [{ Terminal: XTerm }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !el.current) return;
      const term = new XTerm({ convertEol: false, cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, monospace' });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(el.current);
      fit.fit();
      const proto = location.protocol === 'https:' ? 'wss' : 'ws';
      const q = new URLSearchParams({ csrf: csrfToken(), cols: String(term.cols), rows: String(term.rows), cmd: 'sh' });
      const ws = new WebSocket(`${proto}://${location.host}/ws/exec/${encodeURIComponent(id)}?${q}`);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        setStatus('connected');
        term.focus();
      };
      ws.onmessage = (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data as ArrayBuffer));
      ws.onclose = () => setStatus('closed');
      const input = term.onData((d) => ws.readyState === ws.OPEN && ws.send('0' + d));
      const resize = term.onResize(({ cols, rows }) => ws.readyState === ws.OPEN && ws.send('1' + JSON.stringify({ cols, rows })));
      const onWindow = () => fit.fit();
      addEventListener('resize', onWindow);
      cleanup = () => {
        removeEventListener('resize', onWindow);
        input.dispose();
        resize.dispose();
        ws.close();
        term.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [id]);
  return (
    <div>
      <p class="muted small" data-testid="terminal-status">
        {status}
      </p>
      <div class="terminal" ref={el} data-testid="terminal" />
    </div>
  );
}
