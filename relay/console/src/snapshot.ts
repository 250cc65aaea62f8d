/** The current frame of a playing <video> as a JPEG, at the video's own size. */
export function captureJpeg(video: HTMLVideoElement, quality = 0.85): Promise<Blob> {
  const { videoWidth: w, videoHeight: h } = video;
  if (!w || !h) return Promise.reject(Object.assign(new Error('no video frame to capture yet'), { code: 'no_video' }));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(Object.assign(new Error('no 2D canvas'), { code: 'no_video' }));
  ctx.drawImage(video, 0, 0, w, h);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(Object.assign(new Error('JPEG encoding failed'), { code: 'no_video' }))), 'image/jpeg', quality),
  );
}
