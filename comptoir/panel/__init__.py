"""The panel around hosting: the seller's branding, custom buttons, uploaded images, the home-page overview."""
