// Cornerstone3D, its tools and the DICOM image loader, started once per page. Images come over WADO-RS with
// the session's cookie; decoding (JPEG-LS, JPEG 2000, HTJ2K, JPEG, RLE) runs in the loader's web workers.
import { init as coreInit, getShouldUseCPURendering, setUseCPURendering } from '@cornerstonejs/core';
import {
  addTool,
  AngleTool,
  EllipticalROITool,
  init as toolsInit,
  LengthTool,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';
import { bearerToken } from '../api/http';
import { chooseRendering } from './rendering-choice';

let started: Promise<void> | undefined;

export function startCornerstone(): Promise<void> {
  started ??= (async () => {
    await coreInit();
    if (chooseRendering() === 'cpu') setUseCPURendering(true);
    toolsInit();
    loaderInit({
      // A login through an OpenID provider has no cookie: its token goes along with every frame request.
      beforeSend: () => {
        const token = bearerToken();
        return token ? { Authorization: `Bearer ${token}` } : undefined;
      },
      maxWebWorkers: Math.min(4, Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2))),
    });
    for (const tool of [
      WindowLevelTool,
      PanTool,
      ZoomTool,
      StackScrollTool,
      LengthTool,
      AngleTool,
      EllipticalROITool,
    ])
      addTool(tool);
  })();
  return started;
}

/** For the status line: whether this browser renders with WebGL or Cornerstone's CPU fallback. */
export function renderingMode(): 'WebGL' | 'CPU' {
  return getShouldUseCPURendering() ? 'CPU' : 'WebGL';
}
