// WebGL or Cornerstone's CPU path. A software WebGL (SwiftShader, llvmpipe: no GPU, as on many virtual
// desktops and headless browsers) costs tens of milliseconds per 512×512 frame, more than drawing the
// windowed pixels on a 2D canvas; bench/web measures both. `localStorage['lantern.rendering']` = 'cpu' or
// 'webgl' overrides the choice.

export type Rendering = 'cpu' | 'webgl';

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software/i;

/** The WebGL renderer's name, or undefined when WebGL is not available at all. */
function webglRenderer(): string | undefined {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

export function chooseRendering(): Rendering {
  const forced = localStorage.getItem('lantern.rendering');
  if (forced === 'cpu' || forced === 'webgl') return forced;
  const renderer = webglRenderer();
  return renderer === undefined || SOFTWARE_RENDERER.test(renderer) ? 'cpu' : 'webgl';
}
