import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { VoiceRecorder, voiceFileName } from './VoiceRecorder';

/** A MediaRecorder stand-in: start/stop, one chunk of data on stop. */
class FakeRecorder {
  static last: FakeRecorder | undefined;
  static isTypeSupported = () => true;
  state: 'inactive' | 'recording' = 'inactive';
  ondataavailable: ((e: { data: Blob }) => void) | null = null;
  onstop: (() => void) | null = null;
  constructor(
    readonly stream: unknown,
    readonly options: { mimeType?: string },
  ) {
    FakeRecorder.last = this;
  }
  start() {
    this.state = 'recording';
  }
  stop() {
    this.state = 'inactive';
    this.ondataavailable?.({ data: new Blob(['opus'], { type: 'audio/webm' }) });
    this.onstop?.();
  }
}

const track = { stop: vi.fn() };

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: false });
  track.stop.mockClear();
  vi.stubGlobal('MediaRecorder', FakeRecorder);
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [track] })) },
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

async function startRecording() {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Record a voice message' }));
  });
  return screen.getByRole('group', { name: 'Recording a voice message' });
}

describe('VoiceRecorder', () => {
  it('records, shows the running duration and hands over a voice-….webm file; the microphone is released', async () => {
    const onRecorded = vi.fn();
    render(<VoiceRecorder onRecorded={onRecorded} />);
    await startRecording();
    expect(FakeRecorder.last?.options.mimeType).toBe('audio/webm;codecs=opus');
    await act(async () => {
      vi.advanceTimersByTime(3100);
    });
    expect(screen.getByLabelText('Recording length').textContent).toBe('0:03');
    fireEvent.click(screen.getByRole('button', { name: 'Send voice message' }));
    expect(onRecorded).toHaveBeenCalledOnce();
    const file = onRecorded.mock.calls[0]![0] as File;
    expect(file.name).toMatch(/^voice-\d{8}-\d{6}\.webm$/);
    expect(file.type).toBe('audio/webm');
    expect(file.size).toBe(4);
    expect(track.stop).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Record a voice message' })).toBeTruthy();
  });

  it('discards a recording without handing anything over', async () => {
    const onRecorded = vi.fn();
    render(<VoiceRecorder onRecorded={onRecorded} />);
    await startRecording();
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    expect(onRecorded).not.toHaveBeenCalled();
    expect(track.stop).toHaveBeenCalled();
  });

  it('says so when the microphone is refused', async () => {
    const refused = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    Object.defineProperty(navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: vi.fn(async () => Promise.reject(refused)) },
    });
    render(<VoiceRecorder onRecorded={vi.fn()} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Record a voice message' }));
    });
    expect(screen.getByRole('alert').textContent).toBe('Microphone access was refused.');
  });

  it('names files by local time', () => {
    expect(voiceFileName(new Date(2026, 0, 2, 3, 4, 5))).toBe('voice-20260102-030405.webm');
  });
});
