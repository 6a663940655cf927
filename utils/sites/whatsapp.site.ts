import type { Site } from './types';

// WhatsApp. Shared by link for now (wa.me, where the person picks a chat); no composer content
// script yet.

export const site: Site = {
  id: 'whatsapp',
  hosts: [],
  share: {
    label: 'share_whatsapp',
    intentUrl: (_item, text) => `https://wa.me/?text=${encodeURIComponent(text)}`,
  },
};
