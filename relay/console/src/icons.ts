// Inline SVG icons: the command-room PC may have no emoji font, and an icon must never render as a box.
const SVG_NS = 'http://www.w3.org/2000/svg';

const PATHS = {
  bell: 'M12 3a6 6 0 0 0-6 6v3.6L4.3 15.2A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.8L18 12.6V9a6 6 0 0 0-6-6Zm-2.4 15.5a2.5 2.5 0 0 0 4.8 0Z',
  phone:
    'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.46.57 3.6a1 1 0 0 1-.25 1Z',
  hangup:
    'M12 9c-1.6 0-3.15.25-4.6.72v3.1a1 1 0 0 1-.56.9 11.5 11.5 0 0 0-2.66 1.85 1 1 0 0 1-1.4 0L.3 13.1a1 1 0 0 1 0-1.42A16.9 16.9 0 0 1 12 7c4.5 0 8.6 1.75 11.7 4.68a1 1 0 0 1 0 1.42l-2.48 2.47a1 1 0 0 1-1.4 0 11.3 11.3 0 0 0-2.66-1.85 1 1 0 0 1-.56-.9v-3.1A15 15 0 0 0 12 9Z',
  officer: 'M12 2 4 5v2h16V5Zm-6 7a6 6 0 0 0 12 0Zm-2 13a8 8 0 0 1 16 0Z',
  stop: 'M6 6h12v12H6Z',
  mic: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.93V21h2v-3.07A7 7 0 0 0 19 11Z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4Z',
  camera: 'M9 4 7.2 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-3.2L15 4Zm3 5a4 4 0 1 1 0 8 4 4 0 0 1 0-8Z',
  map: 'M9 3 3 5.5v15L9 18l6 3 6-2.5v-15L15 6Zm0 2.2 6 3v11.6l-6-3Z',
  history: 'M13 3a9 9 0 0 0-9 9H1l4 4 4-4H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3Zm-1 5v5l4.25 2.52.77-1.28-3.52-2.09V8Z',
  speaker: 'M3 9v6h4l5 5V4L7 9Zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4Z',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, cls = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', cls);
  svg.dataset.icon = name;
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', PATHS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}
