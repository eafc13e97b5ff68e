import { describe, expect, it } from 'vitest';
import { parseSiteUrl } from './siteUrl.js';

describe('parseSiteUrl', () => {
  it.each([
    ['ftp://ftp.example.org', { host: 'ftp.example.org', port: '21', tls: 'none' }],
    ['ftps://ftp.example.org', { host: 'ftp.example.org', port: '990', tls: 'implicit' }],
    ['FTP://Bob@FTP.Example.org:2121/', { host: 'ftp.example.org', port: '2121', tls: 'none', user: 'Bob' }],
    [
      'ftp://bob:s%3Acret%40x@10.0.0.5:21/pub/My%20Files/',
      { host: '10.0.0.5', port: '21', tls: 'none', user: 'bob', password: 's:cret@x', path: '/pub/My Files' },
    ],
    ['ftp://[::1]:2121/in', { host: '::1', port: '2121', tls: 'none', path: '/in' }],
    ['ftps://[2001:db8::2]', { host: '2001:db8::2', port: '990', tls: 'implicit' }],
    ['  ftp://anonymous:@host  ', { host: 'host', port: '21', tls: 'none', user: 'anonymous', password: '' }],
    ['ftp://%C3%A9t%C3%A9@host/%E6%9D%B1', { host: 'host', port: '21', tls: 'none', user: 'été', path: '/東' }],
  ])('reads %s', (text, expected) => {
    expect(parseSiteUrl(text)).toEqual(expected);
  });

  it.each([
    'ftp.example.org',
    'http://example.org',
    'sftp://host',
    'ftp://',
    'ftp://host:0',
    'ftp://host:70000',
    'ftp://bad%ZZ@host',
    'ftp://bob%0D%0ADELE@host',
    'ftp://host/a%0Ab',
    'ftp://host name',
  ])('refuses %s', (text) => {
    expect(parseSiteUrl(text)).toBeNull();
  });
});
