/**
 * The message box. Enter sends, Shift+Enter breaks the line, Up on an empty box edits the user's last
 * post. `@`, `~` and `:` open suggestions (people, channels, emoji) navigable with the arrow keys and
 * taken with Enter or Tab. The text is kept as a draft per channel (or thread) until sent.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Icon } from '../../common/Icon';
import { useAppState } from '../../state/store';
import { setDraft } from '../../state/actions';
import { EMOJI, searchEmoji } from '../../lib/emoji';
import type { FileInfo } from '@mattermost/types/files';
import { useUploadQueue } from '../files/uploadQueue';
import type { Uploader } from '../files/upload';
import { UploadTray } from '../files/UploadTray';
import { PaperclipIcon, VoiceRecorder } from '../files/VoiceRecorder';
import { useFileDrop } from '../files/useFileDrop';

export interface Suggestion {
  /** What replaces the typed term, without the trigger character. */
  value: string;
  label: string;
  detail?: string;
  icon?: string;
}

export interface SuggestionProviders {
  users: (term: string) => Promise<Suggestion[]>;
  channels: (term: string) => Promise<Suggestion[]>;
}

export interface ComposerProps {
  draftKey: string;
  placeholder: string;
  /** The files go only when there are any: `onSend(message)` otherwise. */
  onSend: (message: string, files?: FileInfo[]) => void;
  onTyping?: () => void;
  /** Up-arrow on an empty box: answers whether a post was put in edit mode. */
  onEditLast?: () => boolean;
  providers: SuggestionProviders;
  maxLength?: number;
  id?: string;
  /** Where attachments are uploaded; without it the composer takes text only. */
  channelId?: string;
  /** Tests replace the XMLHttpRequest upload. */
  uploader?: Uploader;
}

const TRIGGER = /(^|[\s(])([@~:])([\p{L}\p{N}._+-]*)$/u;
const TYPING_EVERY_MS = 2000;

interface Active {
  trigger: '@' | '~' | ':';
  term: string;
  start: number;
}

function findTrigger(text: string, caret: number): Active | undefined {
  const m = TRIGGER.exec(text.slice(0, caret));
  if (!m) return undefined;
  const trigger = m[2] as Active['trigger'];
  const term = m[3] ?? '';
  if (trigger === ':' && term.length < 2) return undefined;
  return { trigger, term, start: caret - term.length - 1 };
}

export function Composer({
  draftKey,
  placeholder,
  onSend,
  onTyping,
  onEditLast,
  providers,
  maxLength = 16383,
  id,
  channelId,
  uploader,
}: ComposerProps) {
  const draft = useAppState((s) => s.drafts[draftKey]) ?? '';
  const [text, setText] = useState(draft);
  const [active, setActive] = useState<Active | undefined>();
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [selected, setSelected] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes after an autocompletion, applied as soon as the new text is in the DOM (a
  // later frame could move the caret under keys the user typed meanwhile).
  const pendingCaret = useRef<number | null>(null);
  const lastTyping = useRef(0);
  const listId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { queue, items } = useUploadQueue(channelId, uploader);
  const [fileNote, setFileNote] = useState('');
  /**
   * Recorded voice messages go as soon as their upload finishes, with the text that was in the box when
   * the recording ended as their caption.
   */
  const [autoSend, setAutoSend] = useState<readonly { key: string; caption: string }[]>([]);
  const autoKeys = autoSend.map((a) => a.key);
  const textRef = useRef(text);
  textRef.current = text;

  const addFiles = (files: readonly File[]) => {
    if (!queue || files.length === 0) return [];
    const before = new Set(queue.list().map((i) => i.key));
    const refused = queue.add(files);
    setFileNote(refused > 0 ? `At most 10 files per message: ${refused} not attached.` : '');
    return queue
      .list()
      .filter((i) => !before.has(i.key))
      .map((i) => i.key);
  };
  const dragging = useFileDrop(rootRef, queue ? addFiles : undefined);

  useEffect(() => {
    if (!queue || autoSend.length === 0) return;
    for (const { key, caption } of autoSend) {
      const item = items.find((i) => i.key === key);
      if (!item) {
        setAutoSend((list) => list.filter((a) => a.key !== key));
      } else if (item.status === 'done' && item.info) {
        setAutoSend((list) => list.filter((a) => a.key !== key));
        queue.remove(key);
        onSend(caption, [item.info]);
      }
    }
  }, [items, autoSend, queue, onSend]);

  // A new channel (or thread) brings its own draft.
  useEffect(() => {
    setText(draft);
    setActive(undefined);
    // Only when the key changes: the draft follows the text while typing.
  }, [draftKey]);

  useEffect(() => {
    if (!active) {
      setSuggestions([]);
      return;
    }
    let cancelled = false;
    const take = (list: Suggestion[]) => {
      if (cancelled) return;
      setSuggestions(list.slice(0, 8));
      setSelected(0);
    };
    if (active.trigger === ':') {
      take(
        searchEmoji(active.term, 8).map((name) => ({
          value: `${name}:`,
          label: `:${name}:`,
          icon: EMOJI[name],
        })),
      );
    } else {
      const provider = active.trigger === '@' ? providers.users : providers.channels;
      provider(active.term).then(take, () => take([]));
    }
    return () => {
      cancelled = true;
    };
  }, [active, providers]);

  const update = (value: string, caret: number) => {
    setText(value);
    setDraft(draftKey, value);
    setActive(findTrigger(value, caret));
    const now = Date.now();
    if (value && onTyping && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      onTyping();
    }
  };

  const accept = (s: Suggestion) => {
    if (!active) return;
    const el = ref.current;
    const caret = el?.selectionStart ?? text.length;
    const insert = `${active.trigger}${s.value} `;
    const next = text.slice(0, active.start) + insert + text.slice(caret);
    setText(next);
    setDraft(draftKey, next);
    setActive(undefined);
    pendingCaret.current = active.start + insert.length;
  };

  useLayoutEffect(() => {
    const pos = pendingCaret.current;
    if (pos === null) return;
    pendingCaret.current = null;
    ref.current?.focus();
    ref.current?.setSelectionRange(pos, pos);
  }, [text]);

  const uploading = items.some((i) => i.status === 'uploading' && !autoKeys.includes(i.key));
  const ready = items.filter((i) => i.status === 'done' && i.info && !autoKeys.includes(i.key));

  const send = () => {
    const message = text.trim();
    if ((!message && ready.length === 0) || message.length > maxLength || uploading) return;
    if (ready.length > 0) {
      onSend(
        message,
        ready.flatMap((i) => (i.info ? [i.info] : [])),
      );
      for (const i of ready) queue?.remove(i.key);
      setFileNote('');
    } else {
      onSend(message);
    }
    setText('');
    setDraft(draftKey, '');
    setActive(undefined);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    const open = active && suggestions.length > 0;
    if (open) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setSelected((i) => (i + 1) % suggestions.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setSelected((i) => (i - 1 + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const s = suggestions[selected];
        if (s) accept(s);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setActive(undefined);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      send();
      return;
    }
    if (e.key === 'ArrowUp' && text === '' && onEditLast) {
      if (onEditLast()) e.preventDefault();
    }
  };

  const over = text.length > maxLength;
  const listOpen = !!active && suggestions.length > 0;
  const optionId = (i: number) => `${listId}-opt-${i}`;

  const rows = useMemo(() => Math.min(8, Math.max(1, text.split('\n').length)), [text]);

  return (
    <div ref={rootRef} className={`composer${dragging ? ' composer--dragging' : ''}`}>
      {dragging && <div className="drop-overlay">Drop files to attach them</div>}
      {queue && <UploadTray items={items} onRemove={(key) => queue.remove(key)} />}
      {listOpen && (
        <ul className="suggestions" role="listbox" id={listId} aria-label="Suggestions">
          {suggestions.map((s, i) => (
            <li
              key={s.value}
              id={optionId(i)}
              role="option"
              aria-selected={i === selected}
              className={
                i === selected ? 'suggestions__item suggestions__item--selected' : 'suggestions__item'
              }
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
            >
              {s.icon && <span className="suggestions__icon">{s.icon}</span>}
              <span className="suggestions__label">{s.label}</span>
              {s.detail && <span className="suggestions__detail">{s.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="composer__box">
        <textarea
          ref={ref}
          id={id}
          className="composer__input"
          aria-label={placeholder}
          placeholder={placeholder}
          value={text}
          rows={rows}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={listOpen}
          aria-controls={listOpen ? listId : undefined}
          aria-activedescendant={listOpen ? optionId(selected) : undefined}
          aria-invalid={over || undefined}
          onChange={(e) => update(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setActive(undefined), 150)}
          onPaste={(e) => {
            const files = Array.from(e.clipboardData?.files ?? []);
            if (queue && files.length > 0) {
              e.preventDefault();
              addFiles(files);
            }
          }}
        />
        {queue && (
          <>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              aria-hidden="true"
              aria-label="Attach files"
              tabIndex={-1}
              data-testid="file-input"
              onChange={(e) => {
                addFiles(Array.from(e.target.files ?? []));
                e.target.value = '';
              }}
            />
            <button
              type="button"
              className="composer__tool"
              aria-label="Attach files"
              title="Attach files"
              onClick={() => fileInput.current?.click()}
            >
              <PaperclipIcon />
            </button>
            <VoiceRecorder
              onRecorded={(file) => {
                // Runs from the recorder's stop event: the current text is read through a ref.
                const caption = textRef.current.trim();
                const keys = addFiles([file]);
                if (keys.length === 0) return;
                if (caption) {
                  setText('');
                  setDraft(draftKey, '');
                }
                setAutoSend((list) => [...list, ...keys.map((key) => ({ key, caption }))]);
              }}
            />
          </>
        )}
        <button
          type="button"
          className="composer__send button button--primary"
          aria-label="Send"
          disabled={(!text.trim() && ready.length === 0) || over || uploading}
          onClick={send}
        >
          <Icon name="send" />
        </button>
      </div>
      {fileNote && (
        <p className="form__error" role="alert">
          {fileNote}
        </p>
      )}
      {over && (
        <p className="form__error" role="alert">
          This message is {text.length - maxLength} characters too long.
        </p>
      )}
      <p className="composer__hint" aria-hidden="true">
        <b>Enter</b> to send · <b>Shift+Enter</b> for a new line
      </p>
    </div>
  );
}
