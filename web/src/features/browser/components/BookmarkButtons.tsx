import { useRef, useState } from 'react';
import { IconButton } from '../../../components/Button.js';
import { errorText } from '../../../lib/api.js';
import { useBookmarks, useToggleBookmark } from '../api/bookmarks.js';
import { ContextMenu } from './ContextMenu.js';

export interface BookmarkButtonsProps {
  siteId: string;
  siteName: string;
  path: string;
  disabled: boolean;
  onNavigate: (path: string) => void;
  onProblem: (message: string) => void;
}

/** The star (this folder is a favourite, or not) and the list of a site's favourite folders. */
export function BookmarkButtons({ siteId, siteName, path, disabled, onNavigate, onProblem }: BookmarkButtonsProps) {
  const bookmarks = useBookmarks(siteId);
  const toggle = useToggleBookmark(siteId);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const listButton = useRef<HTMLButtonElement | null>(null);
  const marked = bookmarks.data?.some((bookmark) => bookmark.path === path) ?? false;

  const onStar = () =>
    toggle.mutate(
      { path, marked },
      { onError: (error) => onProblem(`Could not ${marked ? 'remove' : 'add'} the bookmark: ${errorText(error)}`) },
    );

  const openList = (button: HTMLButtonElement) => {
    listButton.current = button;
    const box = button.getBoundingClientRect();
    setMenu({ x: box.left, y: box.bottom + 2 });
  };

  return (
    <>
      <IconButton
        icon="star"
        label={marked ? 'Remove bookmark' : 'Bookmark this folder'}
        aria-pressed={marked}
        className={marked ? 'bookmarked' : undefined}
        onClick={onStar}
        disabled={disabled || !bookmarks.data || toggle.isPending}
      />
      <IconButton
        icon="chevronDown"
        label="Bookmarks"
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        onClick={(event) => (menu ? setMenu(null) : openList(event.currentTarget))}
        disabled={disabled || !bookmarks.data}
      />
      {menu && (
        <ContextMenu
          label={`Bookmarks on ${siteName}`}
          x={menu.x}
          y={menu.y}
          onClose={() => {
            setMenu(null);
            listButton.current?.focus();
          }}
          items={
            bookmarks.data && bookmarks.data.length > 0
              ? bookmarks.data.map((bookmark) => ({ label: bookmark.path, onSelect: () => onNavigate(bookmark.path) }))
              : [{ label: 'No bookmarks yet: ☆ adds this folder', disabled: true, onSelect: () => undefined }]
          }
        />
      )}
    </>
  );
}
