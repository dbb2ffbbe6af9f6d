import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer, type SuggestionProviders } from './Composer';
import { store } from '../../state/store';

const providers = (people: string[] = ['alice', 'albert', 'bob']): SuggestionProviders => ({
  users: async (term) => people.filter((p) => p.startsWith(term)).map((p) => ({ value: p, label: `@${p}` })),
  channels: async (term) =>
    ['town-square', 'off-topic'].filter((c) => c.includes(term)).map((c) => ({ value: c, label: `~${c}` })),
});

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const utils = render(
    <Composer
      draftKey="c1"
      placeholder="Write to Town Square"
      onSend={onSend}
      providers={providers()}
      {...props}
    />,
  );
  const box = screen.getByRole('combobox', { name: 'Write to Town Square' }) as HTMLTextAreaElement;
  return { onSend, box, user: userEvent.setup(), ...utils };
}

describe('Composer', () => {
  it('sends on Enter and clears the box', async () => {
    const { onSend, box, user } = setup({ draftKey: 'send-1' });
    await user.type(box, 'hello world{Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('hello world');
    expect(box.value).toBe('');
  });

  it('breaks the line on Shift+Enter without sending', async () => {
    const { onSend, box, user } = setup({ draftKey: 'send-2' });
    await user.type(box, 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSend).not.toHaveBeenCalled();
    expect(box.value).toBe('line one\nline two');
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('line one\nline two');
  });

  it('does not send an empty or blank message', async () => {
    const { onSend, box, user } = setup({ draftKey: 'send-3' });
    await user.type(box, '   {Enter}');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).not.toHaveBeenCalled();
  });

  it('refuses a message over the limit and says by how much', async () => {
    const { onSend, box, user } = setup({ draftKey: 'send-4', maxLength: 5 });
    await user.type(box, 'abcdefg{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent('2 characters too long');
  });

  it('keeps a draft per channel across switches', async () => {
    const onSend = vi.fn();
    const user = userEvent.setup();
    const { rerender } = render(
      <Composer draftKey="draft-a" placeholder="Message" onSend={onSend} providers={providers()} />,
    );
    await user.type(screen.getByRole('combobox'), 'half a thought');
    rerender(<Composer draftKey="draft-b" placeholder="Message" onSend={onSend} providers={providers()} />);
    expect((screen.getByRole('combobox') as HTMLTextAreaElement).value).toBe('');
    rerender(<Composer draftKey="draft-a" placeholder="Message" onSend={onSend} providers={providers()} />);
    expect((screen.getByRole('combobox') as HTMLTextAreaElement).value).toBe('half a thought');
    expect(store.get().drafts['draft-a']).toBe('half a thought');
    expect(JSON.parse(localStorage.getItem('parley.drafts') ?? '{}')['draft-a']).toBe('half a thought');
  });

  it('clears the draft once sent', async () => {
    const { box, user } = setup({ draftKey: 'draft-c' });
    await user.type(box, 'gone soon{Enter}');
    expect(store.get().drafts['draft-c']).toBeUndefined();
  });

  it('suggests people after @ and completes with Enter without sending', async () => {
    const { onSend, box, user } = setup({ draftKey: 'ac-1' });
    await user.type(box, 'hi @al');
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['@alice', '@albert']);
    expect(box).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(box.value).toBe('hi @albert ');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('suggests channels after ~ and emoji after two letters of :', async () => {
    const { box, user } = setup({ draftKey: 'ac-2' });
    await user.type(box, 'see ~town');
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['~town-square']);
    await user.keyboard('{Tab}');
    expect(box.value).toBe('see ~town-square ');
    // The composer puts the caret after the completion once it has rendered; type from there.
    await waitFor(() => expect(box.selectionStart).toBe(box.value.length));
    await user.type(box, 'yay :ta', { skipClick: true });
    await waitFor(() => expect(screen.getAllByRole('option')[0]).toHaveTextContent(':tada:'));
    await user.keyboard('{Enter}');
    expect(box.value).toBe('see ~town-square yay :tada: ');
  });

  it('closes suggestions on Escape, and Enter then sends', async () => {
    const { onSend, box, user } = setup({ draftKey: 'ac-3' });
    await user.type(box, 'ping @bo');
    await screen.findByRole('listbox');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('ping @bo');
  });

  it('edits the last post on Up in an empty box', async () => {
    const onEditLast = vi.fn(() => true);
    const { box, user } = setup({ draftKey: 'up-1', onEditLast });
    await user.click(box);
    await user.keyboard('{ArrowUp}');
    expect(onEditLast).toHaveBeenCalledTimes(1);
    await user.type(box, 'x{ArrowUp}');
    expect(onEditLast).toHaveBeenCalledTimes(1);
  });

  it('reports typing, at most every two seconds', async () => {
    const onTyping = vi.fn();
    const { box, user } = setup({ draftKey: 'typing-1', onTyping });
    await user.type(box, 'abc');
    expect(onTyping).toHaveBeenCalledTimes(1);
  });
});
