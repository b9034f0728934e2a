/**
 * Records a voice message with MediaRecorder: press 🎤 to start, press again
 * to stop and send. Hidden where the browser cannot record.
 */
import { useRef, useState } from 'preact/hooks';

const MAX_MS = 5 * 60_000;

export function VoiceRecorder({ onClip }: { onClip: (clip: Blob) => void }) {
  const [recording, setRecording] = useState(false);
  const [error, setError] = useState('');
  const recorder = useRef<MediaRecorder | null>(null);
  if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) return null;

  const start = async () => {
    setError('');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'].find((t) => MediaRecorder.isTypeSupported(t));
      const r = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const chunks: Blob[] = [];
      r.ondataavailable = (e) => chunks.push(e.data);
      r.onstop = () => {
        for (const t of stream.getTracks()) t.stop();
        setRecording(false);
        const clip = new Blob(chunks, { type: r.mimeType });
        if (clip.size > 0) onClip(clip);
      };
      r.start(1000);
      recorder.current = r;
      setRecording(true);
      setTimeout(() => r.state === 'recording' && r.stop(), MAX_MS);
    } catch {
      setError('Microphone not available');
    }
  };

  return (
    <>
      <button
        type="button"
        class={`icon-btn ${recording ? 'icon-btn--recording' : ''}`}
        aria-label={recording ? 'Stop and send voice message' : 'Record a voice message'}
        aria-pressed={recording}
        data-testid="voice"
        title={error || undefined}
        onClick={() => (recording ? recorder.current?.stop() : void start())}
      >
        <span aria-hidden="true">{recording ? '⏹' : '🎤'}</span>
      </button>
    </>
  );
}
