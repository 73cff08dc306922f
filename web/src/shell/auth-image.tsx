// An <img> whose bytes are fetched with the session's token (a plain src could not carry the Authorization
// header once authentication is on), shown through an object URL that is released when no longer needed.
import { useEffect, useState } from 'react';
import { authorizedFetch } from '../api/http';

export function AuthImage({ src, alt, className }: { src: string; alt: string; className?: string }) {
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | undefined;
    let live = true;
    setFailed(false);
    authorizedFetch(src, { headers: { accept: 'image/jpeg, image/png' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        const blob = await response.blob();
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [src]);
  if (failed) return <div className={`thumb-missing ${className ?? ''}`}>no preview</div>;
  if (!url) return <div className={`thumb-loading ${className ?? ''}`} aria-label="loading preview" />;
  return <img src={url} alt={alt} className={className} />;
}
