/**
 * Voice messages: the mic button starts recording (MediaRecorder, WebM/Opus), the running duration
 * shows, and the recording is sent as a file (`voice-<time>.webm`) or discarded.
 */
import { useEffect, useRef, useState } from 'react';
import { formatDuration } from './fileKinds';
import './files.css';

type State = { kind: 'idle' } | { kind: 'recording'; started: number } | { kind: 'error'; message: string };

export function voiceFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `voice-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(
    now.getMinutes(),
  )}${pad(now.getSeconds())}.webm`;
}

export function recordingSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.MediaRecorder !== 'undefined' &&
    !!navigator.mediaDevices?.getUserMedia
  );
}

export function VoiceRecorder({
  onRecorded,
  disabled,
}: {
  onRecorded: (file: File) => void;
  disabled?: boolean;
}) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [elapsed, setElapsed] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const chunks = useRef<Blob[]>([]);
  const keep = useRef(false);

  const stopTracks = () => {
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
  };

  useEffect(
    () => () => {
      keep.current = false;
      if (recorder.current && recorder.current.state !== 'inactive') recorder.current.stop();
      stopTracks();
    },
    [],
  );

  useEffect(() => {
    if (state.kind !== 'recording') return;
    const timer = setInterval(() => setElapsed((Date.now() - state.started) / 1000), 250);
    return () => clearInterval(timer);
  }, [state]);

  if (!recordingSupported()) return null;

  const start = async () => {
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.current = media;
      const type = MediaRecorder.isTypeSupported('audio/webm;codecs=opus')
        ? 'audio/webm;codecs=opus'
        : 'audio/webm';
      const rec = new MediaRecorder(media, { mimeType: type });
      chunks.current = [];
      keep.current = false;
      rec.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.current.push(e.data);
      };
      rec.onstop = () => {
        stopTracks();
        recorder.current = null;
        if (keep.current && chunks.current.length > 0) {
          const blob = new Blob(chunks.current, { type: 'audio/webm' });
          onRecorded(new File([blob], voiceFileName(), { type: 'audio/webm' }));
        }
        chunks.current = [];
      };
      recorder.current = rec;
      rec.start(250);
      setElapsed(0);
      setState({ kind: 'recording', started: Date.now() });
    } catch (err) {
      stopTracks();
      setState({
        kind: 'error',
        message:
          err instanceof Error && err.name === 'NotAllowedError'
            ? 'Microphone access was refused.'
            : 'Could not record.',
      });
    }
  };

  const finish = (send: boolean) => {
    keep.current = send;
    const rec = recorder.current;
    if (rec && rec.state !== 'inactive') rec.stop();
    else stopTracks();
    setState({ kind: 'idle' });
  };

  if (state.kind === 'recording') {
    return (
      <div className="voice-recorder" role="group" aria-label="Recording a voice message">
        <span className="voice-recorder__dot" aria-hidden="true" />
        <span className="voice-recorder__time" aria-live="off" aria-label="Recording length">
          {formatDuration(elapsed)}
        </span>
        <button type="button" className="link-button" onClick={() => finish(false)}>
          Discard
        </button>
        <button type="button" className="button button--primary" onClick={() => finish(true)}>
          Send voice message
        </button>
      </div>
    );
  }

  return (
    <>
      <button
        type="button"
        className="composer__tool"
        aria-label="Record a voice message"
        title="Record a voice message"
        disabled={disabled}
        onClick={() => void start()}
      >
        <MicIcon />
      </button>
      {state.kind === 'error' && (
        <span className="form__error" role="alert">
          {state.message}
        </span>
      )}
    </>
  );
}

function MicIcon() {
  return (
    <svg
      width={18}
      height={18}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M9 5a3 3 0 0 1 6 0v6a3 3 0 0 1-6 0zM5 11a7 7 0 0 0 14 0M12 18v3" />
    </svg>
  );
}

export function PaperclipIcon() {
  return (
    <svg
      width={18}
      height={18}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M21 11 12 20a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8" />
    </svg>
  );
}
